"""Correct, with einsum, returning float32."""
FAILS = []


def mlp3_backward(params, cache, y):
    Y = np.eye(cache["logp"].shape[1])[y]
    dz3 = (np.exp(cache["logp"]) - Y) / len(y)
    dz2 = np.einsum("nk,hk->nh", dz3, params["W3"]) * (1 - cache["h2"] ** 2)
    dz1 = np.einsum("nk,hk->nh", dz2, params["W2"]) * (1 - cache["h1"] ** 2)
    grads = {"W3": np.einsum("nh,nk->hk", cache["h2"], dz3), "b3": dz3.sum(0),
             "W2": np.einsum("nh,nk->hk", cache["h1"], dz2), "b2": dz2.sum(0),
             "W1": np.einsum("nd,nh->dh", cache["X"], dz1), "b1": dz1.sum(0)}
    return {k: v.astype(np.float32) for k, v in grads.items()}
