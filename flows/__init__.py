"""Prefect flows, one per step of the cycle; thin: they call services through tasks."""

from giamsat import prefect_env

prefect_env.configure()
