# Bản đồ cấp độ dịch — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
# this machine only by default; ADDRESS=0.0.0.0 lets other machines (an intranet) in
ADDRESS ?= 127.0.0.1
DB     := data/zones.db

.PHONY: run test lint demo demo-national bench vendor clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

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
	rm -rf $(VENV) static/layers static/vendor .pytest_cache
