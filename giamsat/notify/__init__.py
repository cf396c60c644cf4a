"""Step notify: the plan, the letter and the report outline to every commune."""
