"""The evaluation's services, one module per area: assignment, accompaniment, evidence, phases, synthesis."""
