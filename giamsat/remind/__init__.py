"""Step remind: reminders before, on and after every deadline, escalating."""
