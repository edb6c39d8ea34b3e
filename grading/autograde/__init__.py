"""nbgrader's autograde step, done by the jailed grader (jailed.py): nbgrader's route scores what grade-class
scores, on fresh cases, with no code of the course's in the learner's kernel (no kernel is started at all).

AUTOGRADE_PREPROCESSORS is nbgrader's default list of autograde steps (Autograde.autograde_preprocessors in
nbgrader/converters/autograde.py) with its Execute step replaced by jailed.JailedChecks: the line the export
writes into nbgrader_config.py. It is kept here, apart from jailed.py, which needs nbgrader itself."""

AUTOGRADE_PREPROCESSORS = ["grading.autograde.jailed.JailedChecks", "nbgrader.preprocessors.IgnorePattern",
                           "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
                           "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
                           "nbgrader.preprocessors.CheckCellMetadata"]
NBGRADER_AUTOGRADE = f"c.Autograde.autograde_preprocessors = {AUTOGRADE_PREPROCESSORS!r}"
