"""The commune office's web application: the tasks of the people who run the dialogue."""
