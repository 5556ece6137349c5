# Kit developers' pytest setup: the hidden-check plugin (options --impl, --grade-seed, --task, --report-json).
pytest_plugins = ["autograder.grading.pytest_plugin"]
