#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The mutants make mutate runs (tests/mutants/*.patch) still apply to this
# tree and name tests that exist: a rotted mutant would make the kill ratio
# lie.  Running them is make mutate's job, not make test's.
. tests/lib.sh
require git
sh tests/mutate.sh --check
