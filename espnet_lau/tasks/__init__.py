"""ESPnet tasks of espnet-lau."""
