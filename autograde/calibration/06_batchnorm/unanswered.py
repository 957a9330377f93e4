"""Submits the release notebook untouched: every test fails, nothing crashes."""
FAILS = ["test_batchnorm_x", "test_batchnorm_gamma", "test_batchnorm_beta", "test_batchnorm_unchanged",
         "test_layernorm_x", "test_layernorm_gamma", "test_layernorm_beta", "test_layernorm_unchanged",
         "test_embedding_C", "test_embedding_unchanged",
         "test_mlp_C", "test_mlp_W1", "test_mlp_gamma", "test_mlp_beta", "test_mlp_W2", "test_mlp_b2",
         "test_mlp_unchanged", "test_trains"]


def batchnorm_backward(dout, cache):
    raise NotImplementedError()


def layernorm_backward(dout, cache):
    raise NotImplementedError()


def embedding_backward(dout, cache):
    raise NotImplementedError()


def mlp_bn_backward(params, cache, y):
    raise NotImplementedError()
