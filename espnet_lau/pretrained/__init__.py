"""Starting ST from a pretrained ESPnet speech model (``--pretrained_encoder``): finding its
files as a user holds them (``model_dir``) and the ST config built on its encoder
(``st_config``). The check of its weights at the start of training is the task's
(:mod:`espnet_lau.tasks.init_check`)."""
