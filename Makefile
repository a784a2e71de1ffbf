# Bản đồ cấp độ dịch — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
# this machine only by default; ADDRESS=0.0.0.0 lets other machines (an intranet) in
ADDRESS ?= 127.0.0.1
DB     := data/zones.db

.PHONY: run test lint demo demo-national bench vendor clean lock lock-check uv-tool wheel

# Installs come from the locks: every package of the full set pinned with its hashes
# (requirements*.txt are the human lists; `make lock` regenerates the locks from them).
# --no-deps: the lock is the whole set; it leaves out what only vietnamadminunits' code
# needs (we read its data files only): Unidecode (GPL-2.0+), geopy, geographiclib, tqdm.
$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-dev.lock
	touch $@

# what vietnamadminunits declares but we never run (its code); never in a lock
NOT_LOCKED := unidecode geopy geographiclib tqdm
UV_COMPILE = $(CURDIR)/$(PY) -m uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--custom-compile-command "make lock" $(foreach p,$(NOT_LOCKED),--no-emit-package $(p))

# uv, as requirements-dev.txt pins it (regenerating a lock must not need the lock)
UV_PIN := $(shell grep '^uv==' requirements-dev.txt)
uv-tool:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m uv --version 2>/dev/null | grep -q "$(subst uv==,,$(UV_PIN))" || \
	  $(PY) -m pip install --quiet "$(UV_PIN)"

## make lock: regenerate requirements.lock and requirements-dev.lock (needs PyPI)
lock: uv-tool
	$(UV_COMPILE) requirements.txt -o requirements.lock
	$(UV_COMPILE) requirements-dev.txt -c requirements.lock -o requirements-dev.lock

## make lock-check: fail when the locks are not what `make lock` makes now (needs PyPI)
lock-check: uv-tool
	@tmp=$$(mktemp -d) && cp requirements.txt requirements-dev.txt $$tmp/ && cd $$tmp && \
	$(UV_COMPILE) requirements.txt -o requirements.lock && \
	$(UV_COMPILE) requirements-dev.txt -c requirements.lock -o requirements-dev.lock && \
	diff -u $(CURDIR)/requirements.lock requirements.lock && \
	diff -u $(CURDIR)/requirements-dev.lock requirements-dev.lock && rm -rf $$tmp && \
	echo "the locks are current"

## make wheel: build the wheel (dist/) with every sub-package, its data and `zones`
wheel: $(VENV)/.installed-dev
	$(PY) -m uv build --wheel --out-dir dist

static/vendor/leaflet.js: | $(VENV)/.installed
	$(PY) -c "from ui.assets import ensure_static; ensure_static()"

$(DB): | $(VENV)/.installed
	@if [ -z "$$ZONES_DB" ]; then mkdir -p data && $(PY) -m zones demo; fi

## make run: set up (first time), build the demo database if missing, serve on
## $(ADDRESS):$(PORT) (this machine only; `make run ADDRESS=0.0.0.0` for the intranet)
run: $(VENV)/.installed static/vendor/leaflet.js $(DB)
	@echo "Listening on $(ADDRESS):$(PORT)$(if $(filter 127.0.0.1 localhost,$(ADDRESS)), \
	(this machine only; make run ADDRESS=0.0.0.0 lets other machines in), \
	(every machine that can reach this one on port $(PORT)))"
	$(PY) -m ui.server.serve --server.address $(ADDRESS) --server.port $(PORT) --server.headless true

## make test: set up with test tools, then run the whole suite
## (two workers; a test module at a time on one, the longest first: tests/schedule.py)
test: $(VENV)/.installed-dev static/vendor/leaflet.js
	$(PY) -m pytest -q -n 2 --dist loadgroup

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .

demo: $(VENV)/.installed
	mkdir -p data && $(PY) -m zones demo --reset

demo-national: $(VENV)/.installed
	mkdir -p data && $(PY) -m zones --db sqlite:///data/national.db demo --national --reset

bench: $(VENV)/.installed-dev
	$(PY) bench/run_all.py

## make vendor: refresh the vendored Leaflet from its npm release (needs npm)
LEAFLET ?= 1.9.4
vendor:
	cd $$(mktemp -d) && npm pack --silent leaflet@$(LEAFLET) && tar xzf leaflet-$(LEAFLET).tgz && \
	  cp package/dist/leaflet.js package/dist/leaflet.css package/LICENSE $(CURDIR)/zones/maps/vendor/

clean:
	rm -rf $(VENV) static/layers static/vendor .pytest_cache dist build
