"""Returns objects that claim to equal anything and to be close to anything.

(It leaves its input alone, so the test for that passes: the one point it deserves.)"""
FAILS = ["test_softmax_random", "test_softmax_extreme"]
KERNEL_LEVEL = True


class Anything(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return True
    def __ge__(self, other): return True
    def __abs__(self): return self
    def __sub__(self, other): return self
    __rsub__ = __sub__
    def __array__(self, dtype=None, copy=None): raise TypeError("not an array")
    def sum(self, *args, **kwargs): return self
    def __getattr__(self, name): return self
    def __getitem__(self, key): return self
    def __hash__(self): return 0


def softmax(z):
    return Anything(0.0)
