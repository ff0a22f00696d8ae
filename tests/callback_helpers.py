"""Callbacks for tests: scikit-learn's callback protocol, acting when an iteration ends."""


class OnIterationEnd:
    """A callback calling ``on_iteration_end(n)`` when iteration ``n`` (from 1) ends.

    Its return value is the callback's: True asks the fit to stop.
    """

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        if context.task_name == "iteration":
            return self.on_iteration_end(context.task_id + 1)
        return False

    def on_iteration_end(self, n):
        return False
