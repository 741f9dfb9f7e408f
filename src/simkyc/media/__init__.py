"""Safe decoding of untrusted media (images, video, audio) into numpy arrays."""
