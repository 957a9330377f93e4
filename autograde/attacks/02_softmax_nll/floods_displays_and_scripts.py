"""2 000 display outputs (each costs the grader about a millisecond to receive), a megabyte of HTML, and <script> in HTML, SVG, Markdown and JavaScript outputs."""
FAILS = ["test_nll_random", "test_nll_extreme"]


def nll_loss(z, y):
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].sum()

from IPython.display import HTML, SVG, Javascript, Markdown, display
for i in range(2_000):
    display({"text/plain": f"display line {i}"}, raw=True)
display(HTML("<b>big</b>" * 200_000))
display(HTML("<script>window.BACKPROP_NINJA_PWNED = 1</script><img src=x onerror='window.BACKPROP_NINJA_PWNED=2'>"))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg"><script>window.BACKPROP_NINJA_PWNED = 3</script></svg>'))
display(Javascript("window.BACKPROP_NINJA_PWNED = 4"))
display(Markdown("<script>window.BACKPROP_NINJA_PWNED = 5</script>"))
display({"image/png": '"><script>window.BACKPROP_NINJA_PWNED = 6</script>', "text/plain": "png"}, raw=True)
