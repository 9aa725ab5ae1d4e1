"""Questions admins ask of the data: who can read a secret, who can use a runner, what can a
person do. Answers come from the same ``reach()`` the leak guard uses, so they cannot disagree."""
