"""The office's tasks, one module each: the page's form, and the command it sends."""
