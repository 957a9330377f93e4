"""Right values, but reuses the table C itself as the gradient's buffer."""
FAILS = ["test_embedding_unchanged"]


def embedding_backward(dout, cache):
    dC = cache["C"]
    dC[...] = 0.0
    np.add.at(dC, cache["idx"], dout)
    return {"C": dC.copy()}
