"""Exports: one module per output, built by Celery into ExportJob rows (see jobs.py)."""
