"""Pretrained speech models as the start of LAU and baseline ST: SSL frontends, pretrained encoders."""
