"""Step final_report: the interim and final monitoring reports."""
