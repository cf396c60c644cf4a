"""The demo: a simulated clock walking the plan and synthetic communes. Nothing in the product imports it."""
