"""Text that came from a submission, made safe to print: control characters shown, never obeyed.

A student's exception message or file name reaches the instructor's terminal, the gradebook and the
feedback. An escape sequence there could clear a line of the grade summary and print a forged one,
retitle the terminal, or turn text around (Unicode's bidirectional overrides); shown as `\\x1b`
or `\\u202e`, it does nothing."""


def printable(text):
    return "".join(c if c.isprintable() or c in "\n\t" else (f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}")
                   for c in str(text))
