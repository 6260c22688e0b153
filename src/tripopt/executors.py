"""Where independent solves run: in this process, in local worker processes, or as tasks on
a Dask distributed cluster (docs/cluster.md). `batch` (a scenario per task) and `compare`
(a budget per task) share it.

A task is a module-level function `task(job, interrupted)` of plain data (a loaded
`Scenario`, a budget, a warm-start `Outline`: frozen dataclasses that pickle) returning
plain data (a `Plan`, a reason). Each task builds its own OR-Tools models where it runs:
they cannot be pickled, and one process runs one solve at a time (several routing models
at once in one process have been reported to crash, or-tools #5076). Since plans are
deterministic by work, where a task runs never changes its result.

Ctrl-C (or the caller's `Interrupted` flag, however it was set) reaches every task: a
running one ends its search and returns its best plan so far, one not yet started returns
None without running (`map` keeps the order of the jobs).

Dask is optional (`pip install 'tripopt[cluster]'`) and imported only by `DaskCluster`.
"""

from __future__ import annotations

import importlib.metadata
import multiprocessing
import os
import queue
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from types import TracebackType
from typing import Any, Generic, TypeVar

from .errors import InputError, Problem
from .limits import Interrupted

J = TypeVar("J")
R = TypeVar("R")
Task = Callable[[J, Interrupted], R]  # module-level, so that it pickles by reference
Done = Callable[[int, R], None]  # (index of the job, its result), in the caller's thread as each finishes

POLL_SECONDS = 0.1  # how often the caller's flag is looked at while tasks run
CONNECT_SECONDS = 10  # to reach the scheduler, and for a first worker to be there
INSTALL_HINT = "pip install 'tripopt[cluster]'"


class Executor(Generic[J, R]):
    """Runs tasks `width` at a time. Use it as a context manager (it owns processes or a
    connection); the base class runs every task here, one after the other."""

    width = 1
    where = "this process"

    def __enter__(self) -> Executor[J, R]:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker processes, or disconnect (the base class owns nothing)."""

    def map(self, task: Task[J, R], jobs: Sequence[J], interrupted: Interrupted,
            done: Done[R] | None = None) -> list[R | None]:
        """`task` over every job: the results in the jobs' order, None for a job the
        interrupt came before."""
        results: list[R | None] = []
        for index, job in enumerate(jobs):
            if interrupted.set:
                results.append(None)
                continue
            result = task(job, interrupted)
            results.append(result)
            if done is not None:
                done(index, result)
        return results


def open_executor(processes: int | None = None, scheduler: str | None = None) -> Executor[Any, Any]:
    """Local processes (`processes`, default one per core; 1: this process), or the Dask
    cluster whose scheduler is at `scheduler` (`tcp://host:8786`), `processes` tasks at a
    time there (default: one per worker thread)."""
    if scheduler is not None:
        return DaskCluster(scheduler, processes)
    count = max(1, processes or os.cpu_count() or 1)
    return LocalProcesses(count) if count > 1 else Executor()


# -- local processes ------------------------------------------------------------------


class LocalProcesses(Executor[J, R]):
    """A pool of `processes` worker processes, started on first use. A single job runs here
    instead (no process to start, and the caller's own flag stops it)."""

    where = "local processes"

    def __init__(self, processes: int) -> None:
        self.width = processes
        self._pool: ProcessPoolExecutor | None = None
        self._stop: Any = None  # a multiprocessing.Event the workers watch

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def map(self, task: Task[J, R], jobs: Sequence[J], interrupted: Interrupted,
            done: Done[R] | None = None) -> list[R | None]:
        if len(jobs) <= 1:
            return super().map(task, jobs, interrupted, done)
        if self._pool is None:
            self._stop = multiprocessing.get_context().Event()
            self._pool = ProcessPoolExecutor(self.width, initializer=_local_worker_init, initargs=(self._stop,))
        futures = {self._pool.submit(_in_local_worker, task, job): index for index, job in enumerate(jobs)}
        results: list[R | None] = [None] * len(jobs)
        pending: set[Future[Any]] = set(futures)
        try:
            while pending:
                finished, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=futures.__getitem__):
                    if future.cancelled():
                        continue
                    result = future.result()
                    if result is not _SKIPPED:
                        results[futures[future]] = result
                        if done is not None:
                            done(futures[future], result)
                if interrupted.set and not self._stop.is_set():
                    self._stop_all(pending)  # running tasks keep their best plan; queued ones do not start
        finally:
            if pending:  # leaving early (an error, Ctrl-C twice): the pool's shutdown waits for no search
                self._stop_all(pending)
        return results

    def _stop_all(self, pending: set[Future[Any]]) -> None:
        self._stop.set()
        for future in pending:
            future.cancel()


class _Skipped:
    """What a task the interrupt came before returns instead of its result."""

    def __reduce__(self) -> str:
        return "_SKIPPED"  # one instance in every process, so `is` works across them


_SKIPPED = _Skipped()
_WORKER_FLAG = Interrupted()  # a local worker process's own flag


def _local_worker_init(stop: Any) -> None:
    """Ctrl-C (the terminal sends it to the workers too) or the caller's flag (`stop`, set
    by `map`) ends the worker's search: it keeps its best plan so far and returns it."""
    signal.signal(signal.SIGINT, lambda signum, frame: setattr(_WORKER_FLAG, "set", True))

    def watch() -> None:
        stop.wait()
        _WORKER_FLAG.set = True

    threading.Thread(target=watch, name="tripopt-stop", daemon=True).start()


def _in_local_worker(task: Task[J, R], job: J) -> R | _Skipped:
    if _WORKER_FLAG.set:
        return _SKIPPED
    return task(job, _WORKER_FLAG)


# -- a Dask distributed cluster -------------------------------------------------------


def fingerprint() -> tuple[str, str]:
    """What must be the same on the client and every worker for a plan to be the same:
    the versions of tripopt and of OR-Tools (read without importing OR-Tools)."""
    from . import __version__

    try:
        ortools = importlib.metadata.version("ortools")
    except importlib.metadata.PackageNotFoundError:
        ortools = "none"
    return (__version__, ortools)


class DaskCluster(Executor[J, R]):
    """Tasks on the Dask distributed cluster whose scheduler is at `address`, `width` at a
    time (default: every worker thread the scheduler knows when connecting).

    Refused as bad input (InputError): Dask not installed, a scheduler that cannot be
    reached, no worker within CONNECT_SECONDS, or a worker whose tripopt or OR-Tools
    version is not the client's (its plans could differ)."""

    def __init__(self, address: str, width: int | None = None) -> None:
        self.where = f"the Dask cluster at {address}"
        self._address = address
        try:
            import distributed
        except ImportError:
            raise self._refuse(f"needs Dask distributed, which is not installed: {INSTALL_HINT}") from None
        self._distributed = distributed
        self._check_address()
        try:
            self._client = distributed.Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise self._unreachable(exc) from None
        try:
            self._check_workers()
            threads = sum(self._client.nthreads().values())
            self.width = max(1, width or threads)
            self._stop_name = f"tripopt-stop-{uuid.uuid4().hex}"
            self._stop = distributed.Event(self._stop_name, client=self._client)
            self._closed = False
        except BaseException:
            self._client.close()
            raise

    def _refuse(self, message: str) -> InputError:
        return InputError(Problem(f"--scheduler {self._address}", message))

    def _unreachable(self, exc: BaseException) -> InputError:
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return self._refuse(f"cannot reach a Dask scheduler there ({detail}); start one with `dask scheduler` "
                            "and give the address it prints, tcp://HOST:8786")

    def _check_address(self) -> None:
        """A malformed address, or a TCP one where nothing listens, is refused at once
        (the client would retry until its timeout)."""
        comm = self._distributed.comm
        try:
            scheme, _ = comm.parse_address(self._address)
            if scheme == "inproc":  # a scheduler in this very process (a LocalCluster of threads)
                return
            host, port = comm.get_address_host_port(self._address)  # an unknown scheme is refused too
        except ValueError as exc:
            raise self._refuse(f"is not a scheduler address ({exc}); give tcp://HOST:8786") from None
        if scheme not in ("tcp", "tls"):
            return
        try:
            socket.create_connection((host, port), timeout=CONNECT_SECONDS).close()
        except OSError as exc:
            raise self._unreachable(exc) from None

    def _check_workers(self) -> None:
        try:
            self._client.wait_for_workers(1, timeout=CONNECT_SECONDS)
        except TimeoutError:
            raise self._refuse(f"no Dask worker joined the scheduler within {CONNECT_SECONDS} s; start one on "
                               f"each machine with `dask worker {self._address} --nthreads 1`") from None
        mine = fingerprint()
        try:
            theirs = self._client.run(fingerprint)
        except Exception as exc:  # a worker without tripopt cannot even load the function
            raise self._refuse(f"a worker cannot run tripopt ({type(exc).__name__}: {exc}); install it there "
                               f"with the same version as here: {INSTALL_HINT}") from None
        for worker, found in sorted(theirs.items()):
            if tuple(found) != mine:
                raise self._refuse(_mismatch(worker, tuple(found), mine))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._stop.clear()  # the scheduler forgets the event
        finally:
            self._client.close()

    def map(self, task: Task[J, R], jobs: Sequence[J], interrupted: Interrupted,
            done: Done[R] | None = None) -> list[R | None]:
        futures = {self._client.submit(_on_dask_worker, task, job, self._stop_name, fingerprint(), pure=False): index
                   for index, job in enumerate(jobs)}
        arrived: queue.SimpleQueue[Any] = queue.SimpleQueue()
        for submitted in futures:
            submitted.add_done_callback(arrived.put)  # called from the client's thread
        results: list[R | None] = [None] * len(jobs)
        pending = set(futures)
        stopping = False
        try:
            while pending:
                try:
                    future: Any = arrived.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    future = None
                if future is not None:
                    pending.discard(future)
                    result: Any = future.result()  # a task's exception is raised here
                    if isinstance(result, _Mismatch):
                        raise self._refuse(_mismatch(result.worker, result.found, fingerprint()))
                    if result is not _SKIPPED:
                        results[futures[future]] = result
                        if done is not None:
                            done(futures[future], result)
                if interrupted.set and not stopping:
                    stopping = True
                    self._stop.set()  # running tasks keep their best plan; queued ones do not start
        finally:
            if pending:  # leaving early (an error, Ctrl-C twice): no search goes on for nobody
                self._stop.set()
                self._client.cancel(list(pending))
        return results


class _Mismatch:
    """A worker's versions, when they are not the client's (returned, not raised: an
    exception's arguments do not survive the trip back)."""

    def __init__(self, worker: str, found: tuple[str, str]) -> None:
        self.worker = worker
        self.found = found


def _mismatch(worker: str, found: tuple[str, str], mine: tuple[str, str]) -> str:
    return (f"worker {worker} runs tripopt {found[0]} with OR-Tools {found[1]}, this machine tripopt {mine[0]} "
            f"with OR-Tools {mine[1]}: plans could differ; install the same versions on every machine")


_ONE_SOLVE_AT_A_TIME = threading.Lock()  # a worker with several threads still runs one solve at a time


def _on_dask_worker(task: Task[J, R], job: J, stop_name: str, expected: tuple[str, str]) -> R | _Skipped | _Mismatch:
    """One task on a Dask worker: checked against the client's versions, stopped by the
    client's event (watched from a thread, so the search never waits on the network)."""
    from distributed import Event, get_client, get_worker

    found = fingerprint()
    if found != tuple(expected):
        return _Mismatch(get_worker().address, found)
    stop = Event(stop_name, client=get_client())
    with _ONE_SOLVE_AT_A_TIME:
        if stop.is_set():
            return _SKIPPED
        flag = Interrupted()
        finished = threading.Event()

        def watch() -> None:
            while not finished.is_set():
                try:
                    if stop.wait(timeout=0.25):
                        flag.set = True
                        return
                except Exception:  # the client went away: nobody is left to stop us
                    time.sleep(0.25)

        watcher = threading.Thread(target=watch, name="tripopt-stop", daemon=True)
        watcher.start()
        try:
            return task(job, flag)
        finally:
            finished.set()
            watcher.join()
