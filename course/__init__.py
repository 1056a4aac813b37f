"""What students import: the corpus, synthetic sources, the plot style and visible-test helpers.

Nothing here knows the answers: ``course`` never imports ``solutions`` or ``autograder``.
"""
