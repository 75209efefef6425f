"""Starting ST from a pretrained speech model.

- ``--pretrained_encoder``: an ESPnet speech model as a user holds it, found by
  ``model_dir``, with the ST config built on its encoder by ``st_config``. The check of its
  weights at the start of training is the task's (:mod:`espnet_lau.tasks.init_check`).
- ``--ssl_model``: a wav2vec2/HuBERT/WavLM ``save_pretrained`` folder (``ssl_model_dir``) as
  the ``hf_ssl`` frontend (``ssl_frontend``) of an ST config (``ssl_config``).
"""
