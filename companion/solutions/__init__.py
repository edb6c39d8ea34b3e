"""What is built on the reference solutions of dnn_utils: the fast training engine (engine) and the mistaken
versions of every graded function (mistakes). Never in the student edition, nor sent into the grader's jail."""
