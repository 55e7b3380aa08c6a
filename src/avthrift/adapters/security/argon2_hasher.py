import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from pwdlib.hashers.argon2 import Argon2Hasher

from avthrift.domain.identity.ports import PasswordHasher

# OWASP Password Storage Cheat Sheet, argon2id minimum: m=19 MiB, t=2, p=1.
OWASP_MEMORY_KIB = 19 * 1024
OWASP_TIME_COST = 2
OWASP_PARALLELISM = 1


class Argon2PasswordHasher(PasswordHasher):
    """argon2id in a small thread pool: the pool size caps concurrent hashes (CPU and memory),
    and argon2-cffi releases the GIL, so the event loop keeps serving other requests."""

    def __init__(
        self,
        *,
        memory_kib: int = OWASP_MEMORY_KIB,
        time_cost: int = OWASP_TIME_COST,
        parallelism: int = OWASP_PARALLELISM,
        max_concurrent: int = 2,
    ) -> None:
        self._hasher = Argon2Hasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism)
        self._pool = ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="argon2")
        self._dummy_hash = self._hasher.hash("dummy password for unknown users")

    async def _run[T](self, fn: "partial[T]") -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn)

    async def hash(self, password: str) -> str:
        return await self._run(partial(self._hasher.hash, password))

    async def verify(self, password: str, password_hash: str) -> bool:
        return await self._run(partial(self._verify, password, password_hash))

    async def verify_dummy(self, password: str) -> None:
        await self.verify(password, self._dummy_hash)

    def _verify(self, password: str, password_hash: str) -> bool:
        try:
            return bool(self._hasher.verify(password, password_hash))
        except Exception:  # noqa: BLE001 - a malformed stored hash is a failed verification
            return False

    def close(self) -> None:
        self._pool.shutdown(wait=False)
