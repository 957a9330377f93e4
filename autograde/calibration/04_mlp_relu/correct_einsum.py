"""Correct, with einsum."""
FAILS = []


def mlp_relu_backward(params, cache, y):
    dz2 = np.exp(cache["logp"])
    dz2[np.arange(len(y)), y] -= 1
    dz2 = dz2 / len(y)
    dz1 = np.einsum("nk,hk->nh", dz2, params["W2"]) * np.heaviside(cache["z1"], 0.0)
    return {"W1": np.einsum("nd,nh->dh", cache["X"], dz1), "b1": np.einsum("nh->h", dz1),
            "W2": np.einsum("nh,nk->hk", cache["h"], dz2), "b2": np.einsum("nk->k", dz2)}
