import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-lg p-10">
      <p className="text-sm font-medium text-slate-500">404</p>
      <h1 className="mt-2 text-2xl font-semibold">Nothing here</h1>
      <Link href="/" className="mt-6 inline-block text-indigo-700 underline">
        Back to the overview
      </Link>
    </main>
  );
}
