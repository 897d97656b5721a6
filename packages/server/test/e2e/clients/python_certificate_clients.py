"""Certificate credentials from Debian's Python clients against credless, for python-clients.test.ts.

Runs each job named in E2E_JOBS and prints one JSON line: an array with {"accessToken": ...} or
{"error": ...} per job. The TLS trust comes from REQUESTS_CA_BUNDLE (credless's local CA), exactly as a
deployed workload would set it.

Environment:
  E2E_AUTHORITY   credless base URL, e.g. https://localhost:8443
  E2E_TENANT_ID, E2E_CLIENT_ID, E2E_SCOPE
  E2E_CERT_PATH   PEM holding the private key and the certificate
  E2E_THUMBPRINT  hex SHA-1 of the certificate (MSAL Python sends it as a padded base64url x5t)
  E2E_JOBS        JSON array of job names: msal, msal-no-discovery, azure-identity
"""
import json
import os
import sys


def msal_app(env, **options):
    import msal

    with open(env["E2E_CERT_PATH"]) as pem:
        private_key = pem.read()
    return msal.ConfidentialClientApplication(
        env["E2E_CLIENT_ID"],
        authority="{}/{}".format(env["E2E_AUTHORITY"], env["E2E_TENANT_ID"]),
        client_credential={"private_key": private_key, "thumbprint": env["E2E_THUMBPRINT"]},
        token_cache=None,
        **options,
    )


def from_msal(result):
    if "access_token" in result:
        return {"accessToken": result["access_token"]}
    return {"error": "{}: {}".format(result.get("error"), result.get("error_description"))}


def run(job, env):
    scope = env["E2E_SCOPE"]
    if job == "msal":
        # Instance discovery on credless itself: MSAL Python drops the authority's port here.
        discovery = "{}/common/discovery/instance".format(env["E2E_AUTHORITY"])
        return from_msal(msal_app(env, instance_discovery=discovery).acquire_token_for_client([scope]))
    if job == "msal-no-discovery":
        return from_msal(msal_app(env, validate_authority=False).acquire_token_for_client([scope]))
    if job == "azure-identity":
        from azure.identity import CertificateCredential

        credential = CertificateCredential(
            env["E2E_TENANT_ID"],
            env["E2E_CLIENT_ID"],
            certificate_path=env["E2E_CERT_PATH"],
            authority=env["E2E_AUTHORITY"],
            # Its silent (cache) lookup asks login.microsoftonline.com itself for instance metadata
            # unless discovery is off; a custom authority host is the documented reason to turn it off.
            instance_discovery=False,
        )
        return {"accessToken": credential.get_token(scope).token}
    raise ValueError("unknown job " + job)


def main():
    env = os.environ
    results = []
    for job in json.loads(env["E2E_JOBS"]):
        try:
            results.append(run(job, env))
        except Exception as error:  # reported per job, so one failure does not hide the others
            results.append({"error": "{}: {}".format(type(error).__name__, error)})
    sys.stdout.write(json.dumps(results) + "\n")


if __name__ == "__main__":
    main()
