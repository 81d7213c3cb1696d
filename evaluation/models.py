# Models arrive with the evaluation and funding stages.
