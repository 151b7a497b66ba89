# stemprover: the two commands a fresh clone needs are `make pipeline` and `make test`.
# Every target sets up what it needs first; set-up steps are idempotent (stamp files).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SPLEETER_VENV := .venv-spleeter
setting = $(shell $(PYTHON) -c "import configparser as c; p=c.ConfigParser(delimiters=['=']); p.read('settings.ini'); print(p['DEFAULT'].get('$(1)', ''))")

.PHONY: setup setup-system setup-spleeter pipeline test reports battery bench bench-gpu train train-cycle22 train-two-stage soup11 soup25 swa16 wise17 bag20 bag21 bag22 chain1 chain3 export selection-scores scene-scores scene-descriptions term-gradients probe-memorize32

## Environment --------------------------------------------------------------------------
$(VENV)/.installed: settings.ini setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q -e ".[dev]"
	printf '%s\n' $(call setting,weights_requirements) | xargs $(PY) -m pip install -q --no-deps
	$(PY) -m ipykernel install --sys-prefix --name stemprover --display-name "Python (stemprover)" >/dev/null
	touch $@

# Debian packages for the procedural training scenes (speech and instrument synthesis).
setup-system:
	@missing=""; for p in $(call setting,apt_requirements); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing Debian packages:$$missing (run: sudo apt-get install$$missing)"; exit 1; fi; fi

setup: $(VENV)/.installed setup-system

# The reference TensorFlow Spleeter (Deezer's own code) in its own environment, plus the
# pretrained 2-stems weights converted to a TensorFlow checkpoint.
$(SPLEETER_VENV)/.installed: settings.ini
	test -x $(SPLEETER_VENV)/bin/python || $(PYTHON) -m venv $(SPLEETER_VENV)
	$(SPLEETER_VENV)/bin/python -m pip install -q --upgrade pip
	printf '%s\n' $(call setting,spleeter_requirements) | xargs $(SPLEETER_VENV)/bin/python -m pip install -q
	touch $@

setup-spleeter: $(VENV)/.installed $(SPLEETER_VENV)/.installed
	$(VENV)/bin/stemprover-spleeter-setup

## The two commands ---------------------------------------------------------------------
# The main job: the battery (every in-process separator over the golden data, outputs/battery), then
# Separate -> Analyze -> Enhance -> Analyze with real Spleeter and the committed checkpoint (reports/before_after).
pipeline: setup
	$(VENV)/bin/stemprover-battery --separators repet-sim spleeter oracle --out outputs/battery
	$(VENV)/bin/stemprover-pipeline

test: setup setup-spleeter
	$(VENV)/bin/nbdev_export
	git diff --exit-code --stat -- stemprover || (echo "stemprover/ is out of sync with nbs/: run nbdev_export and commit"; exit 1)
	$(VENV)/bin/nbdev_test --n_workers 2 --do_print --timing
	$(VENV)/bin/stemprover-report --check
	@echo "notebooks: $$(find nbs -name '*.ipynb' -not -path 'nbs/reports/*' -not -path '*/.ipynb_checkpoints/*' | wc -l) passed, 0 failed"

## Everything else ---------------------------------------------------------------------
# Regenerate every report, then the README's Results section from their results.json.
reports: setup
	$(VENV)/bin/stemprover-pipeline --out reports/before_after
	$(VENV)/bin/stemprover-band-report --out reports/band_validation
	$(PY) -m stemprover.explorer --screenshot reports/explorer.png $$($(PY) -c "from stemprover.explorer import lab_available; print('--lab' if lab_available() else '')")
	$(VENV)/bin/stemprover-report

# The test battery: every separator over the golden data (outputs/battery).
battery: setup setup-spleeter
	$(VENV)/bin/stemprover-battery --out outputs/battery

# Re-train the committed baseline (resumes an interrupted run; about 2 h 10 min on 2 cores with bfloat16, more than twice
# that without), then export it to checkpoints/. The baseline is the thirty-fifth cosine cycle of a lineage: a 9000-step
# warm restart at a peak of 2e-4, in bfloat16 with compiled training steps on the CPU (cpu_amp, compile_model), from the
# thirty-fourth (checkpoints/experiments/cycle34.pt, the baseline before it, configs/cycle34.json: 4500 steps of the same
# recipe from the twenty-third; configs/cycle23.json: stereo partner-channel features, five time-dilated refiner blocks,
# the SIR hinge's knee at +1 dB), whose last weights it keeps.
train: setup
	$(VENV)/bin/stemprover-train --config configs/baseline.json $$(test -f outputs/training/baseline/last.pt && echo --resume)
	$(VENV)/bin/stemprover-train --export outputs/training/baseline/last.pt checkpoints/baseline.pt
	cp outputs/training/baseline/log.jsonl checkpoints/baseline_log.jsonl
	cp outputs/training/baseline/loss_curve.png checkpoints/baseline_loss_curve.png

# Score the committed checkpoints of the baseline's model on both selection splits (val: in distribution; oodval:
# voices, languages, SoundFont and instruments held out of training, disjoint from the ood test set) -> one JSON line
# per checkpoint and split in checkpoints/selection_scores.jsonl (read by nbs/14_training.ipynb). The losses are those of
# configs/cycle7.json, the loss weights of cycles 1 to 7, so that every checkpoint is scored on one scale.
SELECTION_CHECKPOINTS := $(addprefix checkpoints/experiments/,si_sdr_led.pt remix.pt wide.pt cycle1.pt cycle2.pt cycle3.pt cycle4.pt cycle5.pt refine.pt cycle7.pt cycle8.pt cycle9.pt cycle10.pt cycle11.pt soup11.pt cycle13.pt swa16.pt cycle17.pt wise17.pt cycle18.pt cycle20.pt cycle21.pt cycle14.pt)
selection-scores: setup
	for split in val oodval; do \
	  $(VENV)/bin/stemprover-train --config configs/cycle7.json --val-split $$split --no-progress --validate $(SELECTION_CHECKPOINTS) || exit 1; \
	done > checkpoints/selection_scores.jsonl.part
	mv checkpoints/selection_scores.jsonl.part checkpoints/selection_scores.jsonl

# Whole-scene scores (SI-SDR and bss_eval SIR changes, as the report measures its test splits) of the lineage's last
# checkpoints on both selection splits, and of the fourteenth (the baseline until the twenty-third) enhanced with other
# inference settings (in 128-frame chunks; averaged over 2 and 4 frame grids); then of the fourteenth and the candidates from
# cycle 21 on (and, for comparison only, cycle 20) over the first 96 oodval scenes ("oodval96", the rules' out-of-distribution split from then on);
# the ideal ratio mask (the report's "oracle") last on each of those splits; then the twenty-third at four enhancement strengths
# on val and oodval96; then the fit: the fourteenth, the twenty-seventh, the twenty-third and
# the oracle (and the tuned Spleeter, and the memorisation probe) on the first 32 training scenes; last, the thirtieth cycle and the third chain at four
# strengths on those training scenes, and the thirtieth at the strength they chose (1.5) on val and oodval96; then the
# thirty-fourth cycle (the baseline before the thirty-fifth), the baseline (the thirty-fifth), the thirty-seventh to
# thirty-ninth and the thirty-sixth, each on oodval96, val and the training scenes
# -> checkpoints/scene_scores.jsonl (read by nbs/14_training.ipynb).
SCENE_SCORE_CHECKPOINTS := $(addprefix checkpoints/experiments/,cycle5.pt refine.pt cycle7.pt cycle8.pt cycle9.pt cycle10.pt cycle11.pt soup11.pt cycle13.pt swa16.pt cycle17.pt wise17.pt cycle18.pt cycle20.pt cycle21.pt bag20.pt bag21.pt cycle22.pt cycle24.pt cycle25.pt soup25.pt cycle27.pt cycle28.pt cycle30.pt tuned1.pt chain1.pt chain3.pt cycle33.pt cycle14.pt cycle23.pt) oracle
FIT_CHECKPOINTS := checkpoints/experiments/cycle14.pt checkpoints/experiments/cycle27.pt checkpoints/experiments/tuned1.pt checkpoints/experiments/cycle33.pt checkpoints/experiments/cycle23.pt oracle checkpoints/experiments/probe_memorize32.pt
OODVAL96_CHECKPOINTS := $(addprefix checkpoints/experiments/,cycle14.pt cycle21.pt cycle20.pt bag20.pt bag21.pt cycle22.pt cycle24.pt cycle25.pt soup25.pt cycle27.pt cycle28.pt cycle30.pt tuned1.pt chain1.pt chain3.pt cycle33.pt cycle23.pt) oracle
scene-scores: setup
	{ for split in val oodval; do \
	  $(VENV)/bin/stemprover-train --config configs/baseline.json --val-split $$split --no-progress --scene-scores $(SCENE_SCORE_CHECKPOINTS) || exit 1; \
	  $(VENV)/bin/stemprover-train --config configs/baseline.json --val-split $$split --no-progress --scene-scores checkpoints/experiments/cycle14.pt --chunk-frames 128 32 || exit 1; \
	  $(VENV)/bin/stemprover-train --config configs/baseline.json --val-split $$split --no-progress --scene-scores checkpoints/experiments/cycle14.pt --shifts 2 || exit 1; \
	  $(VENV)/bin/stemprover-train --config configs/baseline.json --val-split $$split --no-progress --scene-scores checkpoints/experiments/cycle14.pt --shifts 4 || exit 1; \
	done; \
	$(VENV)/bin/stemprover-train --config configs/baseline.json --val-split oodval --n-val-scenes 96 --no-progress --scene-scores $(OODVAL96_CHECKPOINTS) || exit 1; \
	for strength in 0.5 0.8 1.25 1.5; do \
	  $(VENV)/bin/stemprover-train --config configs/baseline.json --val-split val --no-progress --scene-scores checkpoints/experiments/cycle23.pt --strength $$strength || exit 1; \
	  $(VENV)/bin/stemprover-train --config configs/baseline.json --val-split oodval --n-val-scenes 96 --no-progress --scene-scores checkpoints/experiments/cycle23.pt --strength $$strength || exit 1; \
	done; \
	$(VENV)/bin/stemprover-train --config configs/baseline.json --on-train-scenes --no-progress --scene-scores $(FIT_CHECKPOINTS) || exit 1; \
	for checkpoint in cycle30 chain3; do for strength in 1.25 1.5 1.75 2; do \
	  $(VENV)/bin/stemprover-train --config configs/baseline.json --on-train-scenes --no-progress --scene-scores checkpoints/experiments/$$checkpoint.pt --strength $$strength || exit 1; \
	done; done; \
	$(VENV)/bin/stemprover-train --config configs/baseline.json --val-split val --no-progress --scene-scores checkpoints/experiments/cycle30.pt --strength 1.5 || exit 1; \
	$(VENV)/bin/stemprover-train --config configs/baseline.json --val-split oodval --n-val-scenes 96 --no-progress --scene-scores checkpoints/experiments/cycle30.pt --strength 1.5 || exit 1; \
	for checkpoint in checkpoints/experiments/cycle34.pt checkpoints/baseline.pt checkpoints/experiments/cycle37.pt checkpoints/experiments/cycle38.pt checkpoints/experiments/cycle39.pt checkpoints/experiments/cycle36.pt; do \
	  for split in "--val-split oodval --n-val-scenes 96" "--val-split val" --on-train-scenes; do \
	    $(VENV)/bin/stemprover-train --config configs/baseline.json $$split --no-progress --scene-scores $$checkpoint || exit 1; \
	done; done; \
	} > checkpoints/scene_scores.jsonl.part
	mv checkpoints/scene_scores.jsonl.part checkpoints/scene_scores.jsonl

# How each scene that the scores above cover was made (vocal method, voice, SoundFont, instruments; 8-s scenes, as the
# configs score them): the first 96 oodval, 32 val and 32 training scenes -> checkpoints/scene_descriptions.jsonl (read by
# nbs/14_training.ipynb beside checkpoints/scene_scores.jsonl).
scene-descriptions: setup
	$(PY) -m stemprover.scenes oodval 96 val 32 train 32 > checkpoints/scene_descriptions.jsonl.part
	mv checkpoints/scene_descriptions.jsonl.part checkpoints/scene_descriptions.jsonl

# Which loss term steers the updates: each weighted term's gradient norm and its cosine with the whole loss's gradient on
# the first 8 training batches (the same for both), at the baseline's and the twenty-eighth cycle's weights -> checkpoints/term_gradients.jsonl
# (read by nbs/14_training.ipynb).
term-gradients: setup
	$(VENV)/bin/stemprover-train --config configs/baseline.json --no-progress --term-gradients checkpoints/experiments/cycle23.pt checkpoints/experiments/cycle28.pt \
	  > checkpoints/term_gradients.jsonl.part
	mv checkpoints/term_gradients.jsonl.part checkpoints/term_gradients.jsonl

# One earlier cosine cycle of the baseline's lineage, exported to checkpoints/experiments/cycleN.pt (configs/cycleN.json:
# 1 from scratch, 2 to 5 warm restarts; 6, the same recipe once more without the refiner, was stopped at step 450 and
# never scored, and the sixth run is configs/refine.json; 7 the sixth run's recipe once more; 8 the seventh's with the
# SIR hinge weighted 2.0; 9 the eighth's recipe once more, stopped after its step-3000 validation and not adopted; 10,
# the refiner deepened to 5 blocks; 11, its recipe once more, stopped after its step-3000 validation and not adopted;
# 12, the refiner deepened to 6 blocks for 2000 steps, never beat its start; 13, three time-dilated refiner blocks grown
# onto the tenth; 14, a fourth time block grown onto the thirteenth, 3000 steps, the baseline until the twenty-third; 15, its recipe on
# 3-s segments at batch 4 from its weights, 1000 steps; 16, from its weights at a constant lr 1e-4 for 1000 steps, keeping the
# weights every 100 steps for swa16, on the first halves of the train and wide splits; 17, from its weights on 500 train and
# 1800 wide scenes, 600 of them new, a 1500-step cosine at a peak of 1e-4; 18, a fifth time block grown onto
# the baseline, 1500 steps at a peak of 2e-4 on the first 500 train and 600 wide scenes; 19, from the eighteenth's
# weights with the SIR hinge weighted 4.0, 1000 steps at a peak of 1e-4, never beat its start; 20, the fifth time block
# grown onto the baseline with the baseline's own recipe: all 1000 train and 1200 wide scenes, 3000 steps at a peak of 2e-4,
# not adopted: its oodval SIR median fell 0.02 dB beyond the allowance; 21, the baseline's recipe with the stereo
# partner-channel features grown onto it, judged on oodval96; 22, the partner-channel features grown onto the
# twentieth's weights, trained 2000 steps with the SIR hinge's knee at +1 dB; the twenty-third, from the twenty-second's
# last weights at a peak of 1e-4, was the baseline until the thirty-fourth (configs/cycle23.json; "the baseline" in 24 to 33); 24, the baseline fine-tuned at a peak of 5e-5 for 2000 steps, not adopted: SIR
# spent beyond the allowance; 25, the baseline with the SIR hinge's knee at +2 dB, 1500 steps at a peak of 1e-4, not adopted; 26, the baseline's recipe with
# that knee from soup25's weights, stopped at step 94; 27, three residual blocks at every U-Net level grown onto the baseline,
# 3000 steps at a peak of 2e-4, not adopted; 28, the twenty-fourth's fine-tune on the twenty-seventh's weights, 1000 steps, not adopted;
# 29, the baseline's recipe (the twenty-third's) on the twenty-eighth's weights, no candidate (best.pt was its step 0); 30, the
# twenty-eighth's fine-tune on its own weights with the SIR hinge weighted 0.5, not adopted: SIR spent beyond the allowance;
# 31, the baseline fine-tuned on the tuned Spleeter's output (stemprover.enhance.EnhancedSeparator) as a chain's second stage,
# no candidate (best.pt was its step 0); 32, the same without the SIR hinge; 33, the bin refiner widened from 16 to 24 channels
# on the baseline, 1500 steps at a peak of 2e-4; 34, the twenty-third's recipe from its weights for 4500 steps at a peak
# of 2e-4 in bfloat16 on the CPU, the baseline until the thirty-fifth; the thirty-fifth, the thirty-fourth's recipe from
# its weights for 9000 steps with compiled training steps, is the baseline: make train; 36, the baseline's recipe from its
# weights for the thirty-fourth's 4500 steps; 37, the baseline's recipe from its weights for 2000 steps at a peak of 1e-4,
# sized for one session on a CPU without bfloat16; 38, the thirty-seventh at four times its peak, 4e-4; 39, the baseline's
# recipe for 2000 steps from the thirty-seventh's weights).
# Which checkpoint of a cycle is its candidate: best.pt (its best validation), unless named here. The thirty-fourth's and
# the thirty-sixth's to thirty-ninth's are their last weights, as the baseline's (the thirty-fifth's) are; a cycle
# runs for hours: rerun to resume it.
CANDIDATE_cycle34 := last
CANDIDATE_cycle36 := last
CANDIDATE_cycle37 := last
CANDIDATE_cycle38 := last
CANDIDATE_cycle39 := last
train-cycle%: setup
	$(VENV)/bin/stemprover-train --config configs/cycle$*.json $$(test -f outputs/training/cycle$*/last.pt && echo --resume)
	$(VENV)/bin/stemprover-train --export outputs/training/cycle$*/$(or $(CANDIDATE_cycle$*),best).pt checkpoints/experiments/cycle$*.pt
	cp outputs/training/cycle$*/log.jsonl checkpoints/experiments/cycle$*_log.jsonl

# A probe, not a candidate (nbs/14_training.ipynb, "Can it fit 32 scenes?"): the baseline trained further on its first 32
# training scenes alone; its last weights are scored on those same scenes by make scene-scores (FIT_CHECKPOINTS).
probe-memorize32: setup
	$(VENV)/bin/stemprover-train --config configs/probe_memorize32.json $$(test -f outputs/training/probe_memorize32/last.pt && echo --resume)
	$(VENV)/bin/stemprover-train --export outputs/training/probe_memorize32/last.pt checkpoints/experiments/probe_memorize32.pt
	cp outputs/training/probe_memorize32/log.jsonl checkpoints/experiments/probe_memorize32_log.jsonl

# Tuned Spleeter runs (stemprover.tuned, nbs/12a_tuned.ipynb): Deezer's U-Nets with the vocal one's outer levels trained.
train-tuned%: setup
	$(VENV)/bin/stemprover-train --config configs/tuned$*.json $$(test -f outputs/training/tuned$*/last.pt && echo --resume)
	$(VENV)/bin/stemprover-train --export outputs/training/tuned$*/best.pt checkpoints/experiments/tuned$*.pt
	cp outputs/training/tuned$*/log.jsonl checkpoints/experiments/tuned$*_log.jsonl

# A chain: the tuned Spleeter, then the baseline ControlNet on its output (a candidate without training, nbs/14_training.ipynb).
chain1: setup
	$(VENV)/bin/stemprover-train --chain checkpoints/experiments/chain1.pt checkpoints/experiments/tuned1.pt checkpoints/experiments/cycle23.pt

# The third chain: the tuned Spleeter, then the thirty-second cycle (the thirty-first without the SIR hinge).
chain3: setup
	$(VENV)/bin/stemprover-train --chain checkpoints/experiments/chain3.pt checkpoints/experiments/tuned1.pt checkpoints/experiments/cycle32.pt

# The twenty-second cycle: its candidate is the run's last weights (step 2000), not best.pt (nbs/14_training.ipynb).
train-cycle22: setup
	$(VENV)/bin/stemprover-train --config configs/cycle22.json $$(test -f outputs/training/cycle22/last.pt && echo --resume)
	$(VENV)/bin/stemprover-train --export outputs/training/cycle22/last.pt checkpoints/experiments/cycle22.pt
	cp outputs/training/cycle22/log.jsonl checkpoints/experiments/cycle22_log.jsonl

# The weight average of the tenth and the eleventh cycles' bests (a candidate under the eleventh's rule, not adopted).
soup11: setup
	$(VENV)/bin/stemprover-train --average checkpoints/experiments/soup11.pt checkpoints/experiments/cycle10.pt checkpoints/experiments/cycle11.pt

# A bag of two models: the fourteenth (then the baseline) and the twentieth cycle, whose enhanced outputs are averaged (a candidate without
# training, nbs/14_training.ipynb; scored by make scene-scores).
bag20: setup
	$(VENV)/bin/stemprover-train --bag checkpoints/experiments/bag20.pt checkpoints/experiments/cycle14.pt checkpoints/experiments/cycle20.pt

# A bag of three: the fourteenth, the twentieth and the twenty-first (a candidate without training, nbs/14_training.ipynb).
bag21: setup
	$(VENV)/bin/stemprover-train --bag checkpoints/experiments/bag21.pt checkpoints/experiments/cycle14.pt checkpoints/experiments/cycle20.pt checkpoints/experiments/cycle21.pt

# A bag of the twenty-second and the twenty-first, the two front-movers (registered as a candidate without training, never
# judged: the twenty-third was adopted first; nbs/14_training.ipynb).
bag22: setup
	$(VENV)/bin/stemprover-train --bag checkpoints/experiments/bag22.pt checkpoints/experiments/cycle22.pt checkpoints/experiments/cycle21.pt

# The mean of the weights of the twenty-fourth and twenty-fifth cycles, two fine-tunes of the baseline that moved in opposite
# directions along the SI-SDR-SIR front (nbs/14_training.ipynb).
soup25: setup
	$(VENV)/bin/stemprover-train --average checkpoints/experiments/soup25.pt checkpoints/experiments/cycle24.pt checkpoints/experiments/cycle25.pt

# WiSE-FT of the seventeenth cycle: the mean of the fourteenth's weights and those of its fine-tune, the seventeenth
# (a candidate without training, not adopted; nbs/14_training.ipynb).
wise17: setup
	$(VENV)/bin/stemprover-train --average checkpoints/experiments/wise17.pt checkpoints/experiments/cycle14.pt checkpoints/experiments/cycle17.pt

# Stochastic weight averaging over the sixteenth cycle's run: the mean of its weights at steps 200, 300, ..., 1000
# (a candidate under the sixteenth's rule, not adopted; run after make train-cycle16).
SWA16_STEPS := $(foreach s,000200 000300 000400 000500 000600 000700 000800 000900 001000,outputs/training/cycle16/step_$(s).pt)
swa16: setup
	$(VENV)/bin/stemprover-train --average checkpoints/experiments/swa16.pt $(SWA16_STEPS)

# The ControlNet two-stage schedule with the data and budget of configs/gentle.json (base alone, then control
# on a frozen base), for the joint-versus-two-stage comparison in nbs/14_training.ipynb.
train-two-stage: setup
	$(VENV)/bin/stemprover-train --config configs/two_stage.json $$(test -f outputs/training/two_stage/last.pt && echo --resume)
	cp outputs/training/two_stage/log.jsonl checkpoints/experiments/two_stage_log.jsonl

# Speed and memory: real-time factors, peak memory, throughput (outputs/bench).
bench: setup setup-spleeter
	$(VENV)/bin/stemprover-bench --out reports/bench

# The training and enhancement benchmarks on a CUDA GPU, where there is one (reports/bench_gpu).
bench-gpu: setup
	$(VENV)/bin/stemprover-bench --device cuda --only training enhance --out reports/bench_gpu

export: $(VENV)/.installed
	$(VENV)/bin/nbdev_export
