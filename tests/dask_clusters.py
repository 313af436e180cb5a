"""The LocalCluster fixtures of the mlpcore.distributed tests (import after
pytest.importorskip("distributed")): a cluster of worker processes, one of threads of
this process, and both in turn."""

import dask
import distributed
import pytest

# Seconds to wait for a killed worker's replacement: a new worker process imports Dask
# and mlpcore, which under the sanitizers (tools/sanitize.sh) takes more than a minute.
WORKER_START = 300


def local_cluster(processes, n_workers=2):
    return distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                    processes=processes, dashboard_address=None,
                                    silence_logs=50)


@pytest.fixture(scope="module")
def procs():
    # A LocalCluster closes a worker's nanny for good when no worker of that name is
    # back lost-worker-timeout (15 s) after it went; the tests kill workers on purpose
    # and wait up to WORKER_START for the nanny's replacement.
    lost_worker_timeout = {"distributed.deploy.lost-worker-timeout": 2 * WORKER_START}
    with dask.config.set(lost_worker_timeout), local_cluster(True) as cluster, \
            distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def threads():
    with local_cluster(False) as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module", params=["processes", "threads"])
def client(request):
    return request.getfixturevalue("procs" if request.param == "processes" else "threads")
