"""The AZR algorithm and the model, importable without Prefect."""
