"""Ready-made integrations with the tools leakguard is run inside, each an optional extra.

* :mod:`leakguard.integrations.litellm_guardrail`: a LiteLLM proxy guardrail (``leakguard[litellm]``);
* :mod:`leakguard.integrations.mitmproxy_addon`: a mitmproxy addon (``leakguard[mitmproxy]``);
* :mod:`leakguard.integrations.payload`: the JSON body walker both of them share.

Nothing here is imported by ``import leakguard``.
"""
