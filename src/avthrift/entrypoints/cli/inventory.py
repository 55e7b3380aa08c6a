import sys

from cyclopts import App
from dishka import Scope

from avthrift.domain.inventory.model import LedgerMismatch
from avthrift.domain.inventory.use_cases import CheckLedger
from avthrift.entrypoints.cli.runtime import CommandError, app_container

inventory_app = App(name="inventory", help="Stock and its movement ledger.")


def describe_mismatch(mismatch: LedgerMismatch) -> str:
    """One line naming the variant and what disagrees."""
    parts = []
    if mismatch.on_hand != mismatch.movements_sum:
        parts.append(f"on hand {mismatch.on_hand} but movements sum to {mismatch.movements_sum}")
    if mismatch.reserved != mismatch.active_holds_sum:
        parts.append(f"reserved {mismatch.reserved} but active holds sum to {mismatch.active_holds_sum}")
    return f"variant {mismatch.variant_id}: {'; '.join(parts)}"


@inventory_app.command
async def check() -> None:
    """Verify the ledger: for every stock item, on-hand equals the sum of its movements and reserved
    equals the sum of its active holds. Exits 1 on any mismatch, one line per variant on stderr."""
    async with app_container() as container, container(scope=Scope.REQUEST) as request:
        check_ledger = await request.get(CheckLedger)
        report = await check_ledger()
    if report.mismatches:
        for mismatch in report.mismatches:
            print(describe_mismatch(mismatch), file=sys.stderr)
        count = len(report.mismatches)
        raise CommandError(
            f"Ledger inconsistent: {count} of {report.checked} stock items "
            f"{'disagrees' if count == 1 else 'disagree'} with the ledger."
        )
    print(f"Ledger consistent: {report.checked} stock items checked.")
