"""What people wrote, measured: normalising and segmenting with jieba (``segment``),
masking personal data (``masking``), topic concerns (``topics``), tone (``tone``), cues
about who is writing (``cues``), keywords (``keywords``) and per-voice word and topic
measures (``measures``)."""
