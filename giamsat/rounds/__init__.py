"""Ad-hoc monitoring rounds (giám sát đột xuất): their own scope, visits, minutes and report."""
