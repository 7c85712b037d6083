"""The system of record: FastAPI + SQLModel app, the store (the only write path) and the audit log."""
