"""What the operator runs: the compose deployment (files beside this one) and the `nghedan`
command (`deploy.cli`), which imports no service and reaches them through the bus and HTTP."""
