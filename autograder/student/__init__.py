"""The student command's sources. The build copies them into exercises/jaxkit/ (run there as `python -m jaxkit`);
they import only what a student has: the standard library, pytest, rich and the exercises folder itself."""
