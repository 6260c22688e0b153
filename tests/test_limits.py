"""tripopt.limits: the work budget and how the phases share it; the stop flag."""

from __future__ import annotations

import threading

from tripopt.limits import (
    LNS_CALIBRATION_NODES,
    LNS_ITERATIONS_PER_SOLUTION,
    SCOUT_MIN_ITERATIONS,
    WORK_RATE,
    Interrupted,
    SearchSettings,
    descent,
    gls_work,
    lns_iterations_per_solution,
    lns_work,
    phase_settings,
    scout_iterations,
    stopped_by,
    work_budget,
)


def test_the_time_limit_becomes_work_unless_the_scenario_sets_it():
    assert work_budget(10, None, 100) == 10 * WORK_RATE / 100
    assert work_budget(10, 1234, 100) == 1234


def test_the_phases_share_the_work():
    settings = SearchSettings(work_limit=1000, ruin_and_recreate=0.85)
    assert gls_work(settings) == 150
    assert lns_work(settings, LNS_CALIBRATION_NODES) == 850 * LNS_ITERATIONS_PER_SOLUTION
    assert gls_work(SearchSettings()) is None and lns_work(SearchSettings(), 50) is None


def test_iterations_per_solution_grow_with_the_size_above_the_calibration():
    assert lns_iterations_per_solution(10) == lns_iterations_per_solution(LNS_CALIBRATION_NODES)
    assert abs(lns_iterations_per_solution(8 * LNS_CALIBRATION_NODES) - LNS_ITERATIONS_PER_SOLUTION * 4) < 1e-9


def test_scouting_has_a_floor():
    assert scout_iterations(0.0, 3, 100) == SCOUT_MIN_ITERATIONS


def test_phase_settings_and_descents():
    assert phase_settings(0.0, 3).time_limit_seconds == 0.05 and phase_settings(1, 3).work_limit == 10
    pure = phase_settings(1, None, "GREEDY_DESCENT")
    assert pure.ruin_and_recreate == 0.0 and pure.work_limit is None
    assert descent(SearchSettings(work_limit=5)).work_limit is None


def test_what_stopped_a_search():
    flag = Interrupted()
    assert stopped_by(["explore:work", "value:work"], flag) == "work"
    assert stopped_by(["explore:time"], flag) == "time"
    flag.set = True
    assert stopped_by(["explore:work"], flag) == "interrupt"


def test_the_flag_is_seen_from_another_thread():
    flag, seen = Interrupted(), threading.Event()

    def watch() -> None:
        while not flag.set:
            pass
        seen.set()

    watcher = threading.Thread(target=watch)
    watcher.start()
    flag.set = True
    assert seen.wait(5)
    watcher.join()


def test_reordering_small_plans_gets_a_share_of_the_time_limit():
    from tripopt.limits import RESEQUENCE_RATE, RESEQUENCE_SHARE, resequence_work

    assert resequence_work(10) == int(10 * RESEQUENCE_SHARE * RESEQUENCE_RATE)
    assert resequence_work(0.5) < resequence_work(10)
