"""The evaluation's forms, one module per area; they shape input, the workflow's guards decide."""
