# Shortcuts; the README's two commands are scripts/run and scripts/test.
.PHONY: run test lint messages
run:
	scripts/run
test:
	scripts/test
lint:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .
messages:
	.venv/bin/python manage.py makemessages -l en -l fr --no-obsolete -i ".venv/*" -i "staticfiles/*" -i "bench/*"
	scripts/setup
