"""tongxin's shipped data, installed as the package ``tongxin.data``; read it through
:mod:`opinion.files.resources`. The folders hold no code the tool imports."""
