"""`/api/v1/inventory/`: staff reads and writes of stock (reference §1.7, contract §6)."""
