"""Written answers whose links and images would run script as whoever opens the Formgrader or the feedback (the
instructor, on the Jupyter server's origin): javascript:, data: and vbscript: destinations, obfuscated by case,
entities, tabs and escapes, in inline links, images, reference definitions and autolinks; relative links to the
server's API; an SVG attachment with a script; an image of an attachment that does not exist (nbconvert fails on it)."""
FAILS = ["test_nll_random", "test_nll_extreme"]


def nll_loss(z, y):
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].sum()

CELLS = [
    {"cell_type": "markdown", "source":
        "My [derivation](javascript:fetch('/api/contents/BACKPROP_NINJA_PWNED',{method:'PUT'})) of dL/dz, "
        "[step 2](JaVaScRiPt:window.BACKPROP_NINJA_PWNED=11), [step 3](java&#x09;script:window.BACKPROP_NINJA_PWNED=12), "
        "[step 4](&#106;avascript:window.BACKPROP_NINJA_PWNED=13), [step 5](<javascript:window.BACKPROP_NINJA_PWNED=14>), "
        "[step 6](\\javascript:window.BACKPROP_NINJA_PWNED=15) and <javascript:window.BACKPROP_NINJA_PWNED=16>.\n\n"
        "![plot](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9IndpbmRvdy5CQUNLUFJPUF9OSU5KQV9QV05FRD0xNyI+)\n"
        "[table](data:text/html,<script>window.BACKPROP_NINJA_PWNED=18</script>) [old](vbscript:BACKPROP_NINJA_PWNED)\n"
        "[the gradebook](/api/contents/gradebook.db) [up](../../../api/contents/source) [files](files/BACKPROP_NINJA_PWNED)\n\n"
        "See [the proof][proof] and ![the figure][figure].\n\n"
        "[proof]: javascript:window.BACKPROP_NINJA_PWNED=19\n"
        "[figure]: <data:image/svg+xml,<svg onload='window.BACKPROP_NINJA_PWNED=20'>> \"figure\"\n"},
    {"cell_type": "markdown", "source": "![diagram](attachment:diagram.svg) ![missing](attachment:missing.png)",
     "attachments": {"diagram.svg": {"image/svg+xml": "PHN2Zz48c2NyaXB0PndpbmRvdy5CQUNLUFJPUF9OSU5KQV9QV05FRD0yMTwvc2NyaXB0Pjwvc3ZnPg=="}}},
]
