"""giamsat: the yearly monitoring-and-evaluation cycle of the poverty-reduction programme."""

__version__ = "0.1.0"
