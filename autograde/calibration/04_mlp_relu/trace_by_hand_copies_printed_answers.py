"""The hand trace copied from the whole trace the lesson prints (its dz2, dh, dz1 and dW1 lines), to 6 decimals:
right, and worth nothing, since the hand trace is not graded. Full marks, as an answer worked out on paper."""
FAILS = []


def trace_by_hand():
    return {"dz2": [-0.539666, +0.539666],
            "dh": [-0.161900, +0.377767, +0.053967],
            "dz1": [+0.000000, +0.377767, +0.053967],
            "dW1_dead_row": [+0.000000, +0.000000]}
