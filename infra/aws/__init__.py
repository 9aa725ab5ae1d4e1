"""AWS: state backend, keyless CI roles, the cirun GPU pool user and the budget."""
